"""Bodies (instances) of the EPCI: members, meetings, convocations, proxies, votes, minutes."""
