"""The documents a sender posts, one module each: the alert (`alert_in`) and a supplement to
it (`supplement_in`), with their examples (`examples`).

Both share `content`: the optional sections (`sections`) and the rules across fields; their
base, `lenient`, drops an invalid optional value instead of refusing the request, and `legacy`
reads the first version's values. What the API answers is beside this package
(`app.alerts.responses`, `app.alerts.details`): those read the package's status vocabulary,
while these documents import nothing of the package above them.
"""
