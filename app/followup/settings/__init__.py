"""Each municipality's follow-up settings, for now the window of repeated overdoses: a
settings document of the admin API (`service.settings_of` and `set_settings`, registered in
`app.settings_documents`); `service.repeat_window` is what a new case reads."""
