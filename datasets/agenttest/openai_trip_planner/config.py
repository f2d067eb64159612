EMBED_MODEL = "text-embedding-3-small"
PLANNER_MODEL = "text-embedding-3-large"
TOP_K_ATTRACTIONS = 6
DEFAULT_DAYS = 3
