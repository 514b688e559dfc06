"""Each municipality's follow-up settings (a settings document of the admin API): for now the
window of repeated overdoses. `service` reads and stores them, `router` mounts the document."""
