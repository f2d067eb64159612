from smolagents import tool

LENGTH_FACTORS = {"m": 1.0, "km": 1000.0, "mi": 1609.344, "ft": 0.3048, "in": 0.0254}


@tool
def convert_length(value: float, from_unit: str, to_unit: str) -> str:
    """
    Convert a length between metric and imperial units.

    Args:
        value: The numeric length to convert.
        from_unit: Unit of the value: m, km, mi, ft or in.
    """
    if from_unit not in LENGTH_FACTORS or to_unit not in LENGTH_FACTORS:
        return f"Supported units: {', '.join(LENGTH_FACTORS)}"
    meters = value * LENGTH_FACTORS[from_unit]
    return f"{meters / LENGTH_FACTORS[to_unit]:.4g} {to_unit}"


@tool
def convert_temperature(value: float, unit: str) -> str:
    """
    Convert a temperature between Celsius and Fahrenheit.

    Args:
        value: The temperature to convert.
        scale: 'C' to convert Celsius to Fahrenheit, 'F' for the opposite direction.
    """
    if unit.upper() == "C":
        return f"{value * 9 / 5 + 32:.1f} F"
    if unit.upper() == "F":
        return f"{(value - 32) * 5 / 9:.1f} C"
    return "unit must be 'C' or 'F'"


@tool
def convert_speed(value: float, unit: str) -> str:
    """
    Convert a speed between km/h and mph.

    Args:
        value: The speed to convert.
        unit: 'kmh' to convert km/h to mph, 'mph' for the opposite direction.
    """
    if unit == "kmh":
        return f"{value / 1.609344:.1f} mph"
    if unit == "mph":
        return f"{value * 1.609344:.1f} km/h"
    return "unit must be 'kmh' or 'mph'"
