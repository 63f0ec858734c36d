"""The preschool app's pages, one module per audience: `registry` (the public section: the landing page,
the kindergartens and their groups), `family` (the family's page and the online application), `front`
(the operator's application at the center), `kindergarten` (the director's desk) and `department` (the
district preschool department's desk). `preschool/urls.py` joins their routes."""
