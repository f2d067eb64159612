from .classify import classify

__all__ = ["classify"]
