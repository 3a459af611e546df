"""The mayors' mailbox: questions from mayors and municipal elected to the EPCI."""
