"""Creditors (the clients whose debts are collected), debtors and their contact points."""
