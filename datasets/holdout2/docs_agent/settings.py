import os

DOCS_DIR = os.getenv("DOCS_DIR", "./handbook")
EMBED_MODEL = os.getenv("DOCS_EMBED_MODEL", "text-embedding-3-small")
AGENT_MODEL = os.getenv("DOCS_AGENT_MODEL", "gpt-3.5-turbo-instruct")
TOP_K = int(os.getenv("DOCS_TOP_K", "4"))
