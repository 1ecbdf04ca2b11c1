"""Step definitions and the rule-coverage plugin for the Swedish features in features/."""
