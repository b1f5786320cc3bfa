"""The window's parts: the dock table, the actions, the files, the exports, the settings,
the debugger, the lessons, the start-up; each receives the collaborators it uses."""
