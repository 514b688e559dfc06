"""odvarsel: overdose alerts from ambulance dispatch to the municipality's on-duty team."""
