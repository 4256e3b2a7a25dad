"""The supervision cycle: indicator systems, units, campaigns, tasks, evidence, assessment, rectification."""
