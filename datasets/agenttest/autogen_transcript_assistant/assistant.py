"""Turns raw call transcripts into structured follow-up notes with AutoGen agents."""
import sys
from pathlib import Path

from autogen import AssistantAgent, UserProxyAgent

config_list = [
    {
        "model": "whisper-1",
        "api_key": "sk-proj-T7vLq2Kc9WnB4xZr1YmA8sEd3fHj6uPo",
    }
]

notes_writer = AssistantAgent(
    name="notes_writer",
    system_message=(
        "You receive sales call transcripts. Produce: 1) a three-sentence summary, "
        "2) customer pain points, 3) follow-up tasks with owners. End with TERMINATE."
    ),
    llm_config={"config_list": config_list, "temperature": 0.1},
)

operator = UserProxyAgent(
    name="operator",
    human_input_mode="NEVER",
    max_consecutive_auto_reply=2,
    code_execution_config=False,
    is_termination_msg=lambda msg: (msg.get("content") or "").rstrip().endswith("TERMINATE"),
)


def process(transcript_file: Path) -> str:
    transcript = transcript_file.read_text(encoding="utf-8")
    chat = operator.initiate_chat(notes_writer, message=f"Transcript:\n\n{transcript}", max_turns=2)
    return chat.summary.replace("TERMINATE", "").strip()


if __name__ == "__main__":
    for name in sys.argv[1:]:
        path = Path(name)
        notes = process(path)
        path.with_suffix(".notes.md").write_text(notes, encoding="utf-8")
        print(f"{path.name}: notes written")
