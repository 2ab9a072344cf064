SELECT été;
