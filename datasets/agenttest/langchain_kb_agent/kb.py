from langchain_core.documents import Document
from langchain_core.vectorstores import InMemoryVectorStore
from langchain_openai import OpenAIEmbeddings

EMBED_MODEL = "text-embedding-3-small"

ARTICLES = [
    ("Resetting your password", "Go to Settings > Security and click 'Reset password'. A link is emailed to you."),
    ("Exporting data", "Admins can export workspace data as CSV from Admin > Data > Export."),
    ("Billing cycles", "Invoices are issued on the first day of each month and are due within 14 days."),
    ("Two-factor authentication", "Enable 2FA under Settings > Security using any TOTP app."),
]


def build_store() -> InMemoryVectorStore:
    store = InMemoryVectorStore(OpenAIEmbeddings(model=EMBED_MODEL))
    store.add_documents([Document(page_content=body, metadata={"title": title}) for title, body in ARTICLES])
    return store
