import tiktoken

ENC = tiktoken.get_encoding("o200k_base")


def chunks(text: str, max_tokens: int = 6000, overlap: int = 200) -> list[str]:
    ids = ENC.encode(text)
    out, start = [], 0
    while start < len(ids):
        end = min(start + max_tokens, len(ids))
        out.append(ENC.decode(ids[start:end]))
        if end == len(ids):
            break
        start = end - overlap
    return out
