"""gongwen: Chinese government notices into a warehouse, and plans cross-checked against templates."""
