CREATE TEMPORARY TABLE touched_dates (
    `date` DATE NOT NULL,
    PRIMARY KEY (`date`)
) ENGINE = InnoDB
