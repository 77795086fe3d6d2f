"""Next-best offering (D5): what to suggest to each person, from co-purchase and
co-attendance patterns and similar members, at the price that person would pay."""
