SELECT @@local_infile
