"""Thin Radicale plugins: storage, auth and rights that delegate to `bridge`.

Configure Radicale with ``[storage] type = plugins.storage``,
``[auth] type = plugins.auth`` and ``[rights] type = plugins.rights``.
"""
