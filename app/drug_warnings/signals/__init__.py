"""Cluster signals: overdoses close in time (and place) raise a signal for the leader."""
