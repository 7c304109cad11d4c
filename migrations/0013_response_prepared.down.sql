DROP TABLE response_prepared;
