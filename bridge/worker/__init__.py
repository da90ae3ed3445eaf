"""The bridge worker: schedules, leases and runs each connected account's sync.

- `providers`: the provider object for a stored account (credentials opened,
  renewed tokens stored back).
- `scheduler`: the loop that claims due accounts and runs them in threads.
"""
