"""Synthetic demo data: a realistic portfolio and demo staff, for demos, tests and benchmarks.

`recoup.demo.generator.generate_portfolio` writes creditors, debtors, contact points and accounts;
`recoup.demo.users.create_demo_users` creates one sign-in user per role and a team of officers.
See docs/demo-data.md.
"""
