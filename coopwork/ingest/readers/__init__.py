"""One module per export format; each has ``sniff`` and ``read``, listed in :data:`..registry.BUILTIN`.

``kobo`` (KoboToolbox CSV/XLSX, legacy KoboCAT CSV), ``odk`` (ODK Central / Briefcase CSV and
repeat CSVs), ``limesurvey`` (code or full-text headers, mapping file), ``googleforms``
(labels as headers and values), ``generic`` (``csv``/``xlsx`` whose headers are XLSForm names
or labels). Shared column matching and value normalisation live in :mod:`.common`.
"""
