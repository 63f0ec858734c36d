"""Citizen surveys: a builder, one answer per confirmed phone or account, results as server-rendered charts
published question by question, CSV and XLSX exports."""
