"""The synthetic demo ecosystem."""
