"""Word documents in the 公文 layout (GB/T 9704-2012): the builder (:mod:`.gongwen`) and the
审查意见书 of a reviewed report (:mod:`.opinion`)."""
