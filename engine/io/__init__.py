"""Reading and writing: network files, data sets, exports, reports, recovery files,
and the safe file operations and number reading they share."""
