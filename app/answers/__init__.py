"""Answering the crew: what whoever took an alert tells the ambulance crew, and SMS replies."""
