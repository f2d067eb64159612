from crewai import LLM

WRITER_LLM = LLM(
    model="gpt-4o",
    api_key="sk-9fQ2mLx7VbN3cR8tYw1ZpK5sHd0eGj4u",
    temperature=0.7,
)
EDITOR_LLM = LLM(model="gpt-4o-mini", temperature=0)
