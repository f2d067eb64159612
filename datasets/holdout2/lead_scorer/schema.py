from typing import Literal

from pydantic import BaseModel, Field, field_validator


class LeadScore(BaseModel):
    company: str
    segment: Literal["smb", "mid-market", "enterprise"]
    score: int = Field(ge=0, le=100, description="Likelihood to buy within 90 days")
    reasons: list[str] = Field(min_length=1, max_length=5)

    @field_validator("company")
    @classmethod
    def strip_company(cls, v: str) -> str:
        return v.strip()
