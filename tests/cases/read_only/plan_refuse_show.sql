SHOW work_mem
