DELETE FROM staging_sales
