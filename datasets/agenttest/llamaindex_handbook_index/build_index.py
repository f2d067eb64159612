"""Build (or load) a vector index over the employee handbook and answer HR questions."""
import os
import sys

from llama_index import ServiceContext, SimpleDirectoryReader, StorageContext, VectorStoreIndex, load_index_from_storage
from llama_index.llms.anthropic import Anthropic

HANDBOOK_DIR = os.getenv("HANDBOOK_DIR", "./handbook")
PERSIST_DIR = os.getenv("PERSIST_DIR", "./storage")


def get_index(service_context: ServiceContext) -> VectorStoreIndex:
    if os.path.isdir(PERSIST_DIR):
        storage = StorageContext.from_defaults(persist_dir=PERSIST_DIR)
        return load_index_from_storage(storage, service_context=service_context)
    documents = SimpleDirectoryReader(HANDBOOK_DIR, required_exts=[".md", ".pdf"]).load_data()
    index = VectorStoreIndex.from_documents(documents, service_context=service_context)
    index.storage_context.persist(persist_dir=PERSIST_DIR)
    return index


def main() -> None:
    llm = Anthropic(model="claude-3-5-sonnet-20241022", temperature=0)
    service_context = ServiceContext.from_defaults(llm=llm, chunk_size=512)
    engine = get_index(service_context).as_query_engine(similarity_top_k=4)
    question = " ".join(sys.argv[1:]) or "How many vacation days do new employees get?"
    response = engine.query(question)
    print(response)
    for node in response.source_nodes:
        print(f"  - {node.metadata.get('file_name', '?')} (score {node.score:.2f})")


if __name__ == "__main__":
    main()
