"""The HTTP doors: CalDAV (Radicale), iCal feeds, health; `app.py` assembles them."""
