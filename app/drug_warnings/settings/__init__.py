"""A municipality's warning settings: who its warnings reach, and its cluster rules and
districts. Two settings documents of the admin API (`service.contacts_of` and `set_contacts`,
`rules_doc` and `set_rules`, registered in `app.settings_documents`)."""
