"""The Postfach pages: staff (``staff``) and the applicant's side (``buerger``)."""
