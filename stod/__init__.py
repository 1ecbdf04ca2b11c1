"""stod: the command line of stodbeslut, thin over engine/ and cases/."""
