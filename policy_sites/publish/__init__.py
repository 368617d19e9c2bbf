"""Stage 6, publish: freeze a setting's rendered policies as a ratified version."""
