"""The accreditation's service functions (each atomic, with an `actor`, audited):

journalists     journalist_sign_up (the account, its journalist, the role at the hokimiyat), outlet_register
accreditation   accreditation_apply, _approve, _refuse, _suspend, _resume, _revoke, _withdraw;
                accreditations_expire and renewal_reminders (the scheduler's)
requests        press_request_file: a media request (7 days) or a request for information (15 days)
                registered through the appeals' intake
"""
