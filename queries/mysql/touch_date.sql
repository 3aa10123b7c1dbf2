INSERT IGNORE INTO touched_dates (`date`) VALUES (?)
