from typing import Type

from crewai import Agent, Crew, Task
from crewai.tools import BaseTool
from pydantic import BaseModel, Field

SHIPMENTS = {
    "TRK-88120": {"status": "in transit", "location": "Leipzig hub"},
    "TRK-88121": {"status": "delivered", "location": "Munich"},
}
TRANSIT_DAYS = {("hamburg", "munich"): 2, ("berlin", "vienna"): 3, ("paris", "berlin"): 4}


class ShipmentInput(BaseModel):
    tracking_number: str = Field(..., description="Tracking number like TRK-88120")


class RouteInput(BaseModel):
    origin: str = Field(..., description="Origin city")
    destination: str = Field(..., description="Destination city")


class ShipmentStatusTool(BaseTool):
    name: str = "shipment_status"
    description: str = ""
    args_schema: Type[BaseModel] = ShipmentInput

    def _run(self, tracking_number: str) -> str:
        item = SHIPMENTS.get(tracking_number.strip().upper())
        if item is None:
            return f"No shipment with tracking number {tracking_number}."
        return f"{tracking_number}: {item['status']} ({item['location']})"


class EtaTool(BaseTool):
    name: str = "estimate_eta"
    description: str = "Estimate the number of delivery days between two cities."
    args_schema: Type[BaseModel] = RouteInput

    def _run(self, origin: str, destination: str) -> str:
        key = (origin.strip().lower(), destination.strip().lower())
        if key in TRANSIT_DAYS:
            return f"{TRANSIT_DAYS[key]} business days"
        if key[0] == key[1]:
            return "same-day courier available"


dispatcher = Agent(
    role="Logistics dispatcher",
    goal="Give customers accurate shipment status and delivery estimates",
    backstory="You coordinate parcel deliveries across central Europe.",
    tools=[ShipmentStatusTool(), EtaTool()],
    llm="gpt-4o-mini",
)

inquiry = Task(
    description="Customer asks: {question}",
    expected_output="A short, friendly answer with status and expected delivery time.",
    agent=dispatcher,
)

if __name__ == "__main__":
    crew = Crew(agents=[dispatcher], tasks=[inquiry])
    print(crew.kickoff(inputs={"question": "Where is TRK-88120 and when will a Hamburg->Munich parcel arrive?"}))
