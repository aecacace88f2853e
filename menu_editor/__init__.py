"""The admins' menu editor: a server-rendered page over the menu's draft and versions."""
