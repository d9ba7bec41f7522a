"""Sandbox CRMs: local HTTPS servers speaking the Salesforce REST and HubSpot CRM v3 APIs.

A CRM, not a client: depends on nothing else of ours.
"""
