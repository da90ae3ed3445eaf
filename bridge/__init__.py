"""CalBridge: a CRM's activities in the calendars people already use."""

__version__ = "0.1.0"
