"""Staff identity: sign-in on the phone (a one-time SMS link, or an OpenID Connect provider),
sessions (cookie for the pages, bearer for the API), and access by work need (`rules.may_see`).

Other packages use `deps.CurrentStaff` / `deps.StaffIdentity` and `rules.may_see`.
"""
