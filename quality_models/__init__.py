"""fastText quality classifiers: the recipe that trains them, their evaluation, the shipped default."""
