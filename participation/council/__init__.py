"""The conseil de développement: referrals, contributions, adoption, the EPCI's follow-up."""
