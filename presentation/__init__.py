"""One presentation: how durations, percentages, money, instants and yes/no are shown, and the
columns of each answer's rows. Terminal tables, CSV and JSON render from these; the dashboard's
grids and the reports' tables use the same columns."""
