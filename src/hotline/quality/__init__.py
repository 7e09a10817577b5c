"""Quality assurance: scorecards and reviews."""
