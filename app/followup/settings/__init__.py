"""Each municipality's follow-up settings (a settings document of the admin API): for now the
window of repeated overdoses. `service` reads and stores them (`models`,
`repository`), `router` mounts the document; `service.repeat_window` is what a new case reads."""
